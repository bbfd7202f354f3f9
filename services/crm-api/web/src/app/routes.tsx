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
      { path: "*", element: <NotFound /> },
    ],
  },
];
