"""LP profiles: one per investor (a contact or an organization): investor type, documents, wire,
K-1s per tax year, and accreditation done properly. Money totals are derived from the investor's
opportunities, never stored here."""
