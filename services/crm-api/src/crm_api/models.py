"""Every table of crm-api, imported so that `Base.metadata` knows them all (for Alembic)."""

from crm_api.agents.models import Proposal, ProposalEntity
from crm_api.audit.models import AuditLog
from crm_api.auth.models import ApiKey, AuthSession, Bootstrap, User
from crm_api.automations.models import GridRule, GridRuleRun, GridRuleSchedule
from crm_api.canonical.models import CanonicalEntity, CanonicalLink
from crm_api.communications.models import Communication, CommunicationAttendee
from crm_api.contacts.models import (
    Affiliation,
    Contact,
    ContactEmail,
    ContactSearch,
    contact_tag,
)
from crm_api.custom_fields.models import CustomField
from crm_api.database import Base
from crm_api.feature_requests.models import FeatureRequest
from crm_api.followups.models import FollowUp
from crm_api.funds.models import Fund
from crm_api.grid.models import (
    GridBatch,
    GridColumn,
    GridList,
    GridListMember,
    GridRow,
    GridRowContact,
    GridView,
)
from crm_api.imports.models import ImportJob
from crm_api.interactions.models import InteractionLog, InteractionTarget
from crm_api.kit.models import IdempotencyRecord
from crm_api.lookups.models import LookupValue
from crm_api.lp_profiles.models import K1Delivery, LpProfile
from crm_api.opportunities.models import Opportunity, opportunity_tag
from crm_api.organizations.models import Organization, OrganizationDomain, organization_tag
from crm_api.saved_views.models import SavedView
from crm_api.security.models import AgentSession
from crm_api.tags.models import Tag

metadata = Base.metadata

__all__ = [
    "Affiliation",
    "AgentSession",
    "ApiKey",
    "AuditLog",
    "AuthSession",
    "Bootstrap",
    "CanonicalEntity",
    "CanonicalLink",
    "Communication",
    "CommunicationAttendee",
    "Contact",
    "ContactEmail",
    "ContactSearch",
    "FollowUp",
    "Fund",
    "IdempotencyRecord",
    "ImportJob",
    "InteractionLog",
    "InteractionTarget",
    "K1Delivery",
    "LookupValue",
    "LpProfile",
    "Opportunity",
    "Proposal",
    "ProposalEntity",
    "Organization",
    "OrganizationDomain",
    "SavedView",
    "User",
    "metadata",
    "CustomField",
    "FeatureRequest",
    "Tag",
    "GridBatch",
    "GridColumn",
    "GridList",
    "GridListMember",
    "GridRow",
    "GridRowContact",
    "GridRule",
    "GridRuleRun",
    "GridRuleSchedule",
    "GridView",
    "contact_tag",
    "opportunity_tag",
    "organization_tag",
]
