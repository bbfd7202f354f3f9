/**
 * The client routes. Each screen is its own chunk (React.lazy), so the first screen loads only
 * the shell and itself; crm-api answers index.html for every one of these paths.
 */
import { lazy } from "react";
import type { RouteObject } from "react-router";

import { NotFound } from "../screens/NotFound";
import { Shell } from "./Shell";

const Home = lazy(() => import("../screens/Home"));
const Account = lazy(() => import("../screens/Account"));
const ContactDossier = lazy(() => import("../dossier/Dossier").then((m) => ({ default: m.ContactDossierPage })));
const OrganizationDossier = lazy(() => import("../dossier/Dossier").then((m) => ({ default: m.OrganizationDossierPage })));
const EntityDossier = lazy(() => import("../dossier/Dossier").then((m) => ({ default: m.EntityDossierPage })));
const FollowUps = lazy(() => import("../dossier/FollowUpsPage"));
const Search = lazy(() => import("../search/SearchPage"));
const Organizations = lazy(() => import("../records/screens/OrganizationsList"));
const Contacts = lazy(() => import("../records/screens/ContactsList"));
const LpProfiles = lazy(() => import("../records/screens/LpProfilesList"));
const ContactImport = lazy(() => import("../records/screens/ContactImport"));
const RecycleBin = lazy(() => import("../records/screens/RecycleBin"));
const recordForm = (name: keyof typeof import("../records/screens/FormPages")) =>
  lazy(() => import("../records/screens/FormPages").then((m) => ({ default: m[name] })));
const OrganizationNew = recordForm("OrganizationNewPage");
const OrganizationEdit = recordForm("OrganizationEditPage");
const ContactNew = recordForm("ContactNewPage");
const ContactEdit = recordForm("ContactEditPage");
const LpProfileNew = recordForm("LpProfileNewPage");
const LpProfileEdit = recordForm("LpProfileEditPage");
const Proposals = lazy(() => import("../agents/Proposals"));
const InteractionLog = lazy(() => import("../agents/InteractionLog"));
const ApiKeys = lazy(() => import("../agents/ApiKeys"));
const Review = lazy(() => import("../review/Review"));
const AdminUsers = lazy(() => import("../admin/Users"));
const AdminAudit = lazy(() => import("../admin/Audit"));
const AdminAutomations = lazy(() => import("../admin/Automations"));
const AdminBackups = lazy(() => import("../admin/Backups"));
const AdminFeatureRequests = lazy(() => import("../admin/FeatureRequests"));
const AdminSecurity = lazy(() => import("../admin/Security"));
const Pipeline = lazy(() => import("../pipeline/Pipeline"));
const Grid = lazy(() => import("../grid/GridScreen"));

export const ROUTES: RouteObject[] = [
  {
    path: "/",
    element: <Shell />,
    children: [
      { index: true, element: <Home /> },
      { path: "account", element: <Account /> },
      { path: "contacts/:id", element: <ContactDossier /> },
      { path: "organizations/:id", element: <OrganizationDossier /> },
      { path: "entities/:id", element: <EntityDossier /> },
      { path: "follow-ups", element: <FollowUps /> },
      { path: "search", element: <Search /> },
      { path: "organizations", element: <Organizations /> },
      { path: "organizations/new", element: <OrganizationNew /> },
      { path: "organizations/:id/edit", element: <OrganizationEdit /> },
      { path: "contacts", element: <Contacts /> },
      { path: "contacts/new", element: <ContactNew /> },
      { path: "contacts/import", element: <ContactImport /> },
      { path: "contacts/:id/edit", element: <ContactEdit /> },
      { path: "lp-profiles", element: <LpProfiles /> },
      { path: "lp-profiles/new", element: <LpProfileNew /> },
      { path: "lp-profiles/:id/edit", element: <LpProfileEdit /> },
      { path: "bin", element: <RecycleBin /> },
      { path: "agents", element: <Proposals /> },
      { path: "agents/log", element: <InteractionLog /> },
      { path: "agents/keys", element: <ApiKeys /> },
      { path: "review", element: <Review /> },
      { path: "admin/users", element: <AdminUsers /> },
      { path: "admin/audit", element: <AdminAudit /> },
      { path: "admin/automations", element: <AdminAutomations /> },
      { path: "admin/backups", element: <AdminBackups /> },
      { path: "admin/feature-requests", element: <AdminFeatureRequests /> },
      { path: "admin/security", element: <AdminSecurity /> },
      { path: "pipeline", element: <Pipeline /> },
      { path: "grid", element: <Grid /> },
      { path: "*", element: <NotFound /> },
    ],
  },
];
