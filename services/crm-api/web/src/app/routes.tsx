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

export const ROUTES: RouteObject[] = [
  {
    path: "/",
    element: <Shell />,
    children: [
      { index: true, element: <Home /> },
      { path: "account", element: <Account /> },
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
      { path: "*", element: <NotFound /> },
    ],
  },
];
