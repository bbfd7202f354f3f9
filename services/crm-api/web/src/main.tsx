import "./ui/tokens.css";
import "./ui/base.css";
import "./ui/components.css";
import "./app/shell.css";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, RouterProvider } from "react-router";

import { ApiError } from "./api/problem";
import { ROUTES } from "./app/routes";
import { FirstRunPage } from "./auth/FirstRun";
import { SessionProvider, useSession } from "./auth/session";
import { SignInPage } from "./auth/SignIn";
import { SkeletonRows } from "./ui/Feedback";
import { applyTheme, storedTheme } from "./ui/theme";
import { ToastProvider } from "./ui/toast";

applyTheme(storedTheme());

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A 4xx will not get better by asking again; a dropped connection might.
      retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
    },
  },
});

const router = createBrowserRouter(ROUTES);

function Gate() {
  const { state } = useSession();
  switch (state.kind) {
    case "loading":
      return (
        <div className="auth-page">
          <SkeletonRows rows={3} />
        </div>
      );
    case "setup":
      return <FirstRunPage />;
    case "signed-out":
      return <SignInPage />;
    default:
      return <RouterProvider router={router} />;
  }
}

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <SessionProvider>
          <Gate />
        </SessionProvider>
      </ToastProvider>
    </QueryClientProvider>
  </StrictMode>,
);
