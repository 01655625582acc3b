"""Write operations of orders, one module per concern. Services flush; the unit of work commits."""
