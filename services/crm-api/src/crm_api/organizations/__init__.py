"""Organizations: family offices, foundations, funds, companies; the weak parent of contacts."""
