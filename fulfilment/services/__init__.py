"""Write operations of fulfilment, one module per concern; the unit of work commits."""
