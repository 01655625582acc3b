"""Write operations of the catalogue, one module per concern; the unit of work commits."""
