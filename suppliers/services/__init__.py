"""Write operations and guarded reads of suppliers. Services flush; the unit of work commits."""
