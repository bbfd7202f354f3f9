import { describe, expect, it } from "vitest";

import { ApiError, toApiError } from "./problem";

describe("toApiError", () => {
  it("keeps the server's problem and maps its field errors by field", () => {
    const error = toApiError(422, {
      type: "urn:lp-crm:problem:validation",
      title: "Invalid request",
      status: 422,
      detail: "email: not an email",
      errors: [
        { field: "email", location: "body", message: "not an email", type: "value_error" },
        { field: "email", location: "body", message: "second message", type: "value_error" },
        { field: "first_name", location: "body", message: "required", type: "missing" },
      ],
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.message).toBe("email: not an email");
    expect(error.fieldErrors()).toEqual({ email: "not an email", first_name: "required" });
  });

  it("makes a problem from the status line when the body is not one", () => {
    const error = toApiError(502, "<html>bad gateway</html>", "Bad Gateway");
    expect(error.problem).toEqual({ type: "about:blank", title: "Bad Gateway", status: 502 });
    expect(error.fieldErrors()).toEqual({});
  });
});
