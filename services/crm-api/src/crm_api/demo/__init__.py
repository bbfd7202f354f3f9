"""A seeded synthetic CRM: `crm-api demo` (what `make demo` runs) and the benchmarks' data."""
