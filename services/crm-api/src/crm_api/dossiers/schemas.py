from __future__ import annotations

from pydantic import BaseModel, Field

from crm_api.canonical.schemas import CanonicalRef
from crm_api.communications.schemas import CommunicationRead
from crm_api.contacts.schemas import ContactRead
from crm_api.followups.schemas import FollowUpView
from crm_api.lp_profiles.schemas import LpProfileView
from crm_api.opportunities.schemas import OpportunityRead
from crm_api.organizations.schemas import OrganizationRead

LATEST = 20


class ContactDossier(BaseModel):
    contact: ContactRead
    organizations: list[OrganizationRead] = Field(description="where the contact sits")
    opportunities: list[OpportunityRead] = Field(
        description="the contact's own positions and those of its organizations"
    )
    lp_profile: LpProfileView | None = Field(
        description="the contact's profile, else its primary organization's"
    )
    open_follow_ups: list[FollowUpView]
    latest_communications: list[CommunicationRead] = Field(
        description=f"the {LATEST} newest; the rest through /communications"
    )
    canonical: CanonicalRef | None = Field(
        default=None,
        description="The resolver's canonical entity for the contact (not yet known: null)",
    )


class OrganizationDossier(BaseModel):
    organization: OrganizationRead
    contacts: list[ContactRead]
    opportunities: list[OpportunityRead]
    lp_profile: LpProfileView | None
    open_follow_ups: list[FollowUpView]
    latest_communications: list[CommunicationRead]
    canonical: CanonicalRef | None = Field(
        default=None, description="The resolver's canonical entity for the organization"
    )
