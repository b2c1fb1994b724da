"""What anyone may read without logging in: one report looked up by its code (`reports`) and
the wards' monthly league table (`league`). Nothing personal is ever part of either."""
