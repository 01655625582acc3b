"""Write operations and guarded reads of suppliers. Services flush; the caller commits."""
