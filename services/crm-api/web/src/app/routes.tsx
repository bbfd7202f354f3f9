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
const Pipeline = lazy(() => import("../pipeline/Pipeline"));
const Grid = lazy(() => import("../grid/GridScreen"));

export const ROUTES: RouteObject[] = [
  {
    path: "/",
    element: <Shell />,
    children: [
      { index: true, element: <Home /> },
      { path: "account", element: <Account /> },
      { path: "pipeline", element: <Pipeline /> },
      { path: "grid", element: <Grid /> },
      { path: "*", element: <NotFound /> },
    ],
  },
];
