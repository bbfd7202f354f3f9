"""The values every new CRM starts with (the seed CRM's, made into managed lists)."""

from __future__ import annotations

DEFAULTS: dict[str, list[tuple[str, str]]] = {
    "organization_type": [
        ("family_office", "Family office"),
        ("foundation", "Foundation"),
        ("endowment", "Endowment"),
        ("pension", "Pension fund"),
        ("fund_of_funds", "Fund of funds"),
        ("corporate", "Corporate"),
        ("bank", "Bank / wealth manager"),
        ("ria", "RIA"),
        ("insurance", "Insurance"),
        ("sovereign", "Sovereign wealth fund"),
        ("fund", "Fund / GP"),
        ("other", "Other"),
    ],
    "contact_type": [
        ("prospect", "Prospect"),
        ("investor", "Investor"),
        ("advisor", "Advisor"),
        ("intermediary", "Intermediary"),
        ("team", "Team"),
        ("other", "Other"),
    ],
    "contact_status": [
        ("active", "Active"),
        ("inactive", "Inactive"),
        ("do_not_contact", "Do not contact"),
    ],
    "contact_source": [
        ("referral", "Referral"),
        ("conference", "Conference"),
        ("inbound", "Inbound"),
        ("outbound", "Outbound"),
        ("existing_lp", "Existing LP"),
        ("other", "Other"),
    ],
    "pipeline_stage": [
        ("lead", "Lead"),
        ("contacted", "Contacted"),
        ("meeting", "Meeting"),
        ("due_diligence", "Due diligence"),
        ("soft_commit", "Soft commit"),
        ("committed", "Committed"),
        ("closed_won", "Closed won"),
        ("closed_lost", "Closed lost"),
    ],
    "investor_type": [
        ("individual", "Individual"),
        ("family_office", "Family office"),
        ("institution", "Institution"),
        ("fund_of_funds", "Fund of funds"),
        ("corporate", "Corporate"),
        ("other", "Other"),
    ],
    "communication_type": [
        ("note", "Note"),
        ("call", "Call"),
        ("email", "Email"),
        ("meeting", "Meeting"),
        ("text", "Text"),
    ],
    "fund_status": [
        ("raising", "Raising"),
        ("first_close", "First close"),
        ("final_close", "Final close"),
        ("investing", "Investing"),
        ("harvesting", "Harvesting"),
        ("closed", "Closed"),
    ],
}

CLOSED_STAGES = {"closed_won", "closed_lost"}
