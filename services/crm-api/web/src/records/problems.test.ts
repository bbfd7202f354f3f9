import { describe, expect, it } from "vitest";

import { ApiError } from "../api/problem";
import { errorAt, fieldName, toFormProblem } from "./problems";

describe("a failed save on a form", () => {
  it("puts validation errors on their fields", () => {
    const error = new ApiError({
      type: "urn:lp-crm:problem:validation",
      title: "Invalid request",
      status: 422,
      errors: [
        { field: "last_name", location: "body", message: "String should have at least 1 character", type: "string_too_short" },
        { field: "emails.0.email", location: "body", message: "value is not a valid email address", type: "value_error" },
      ],
    });
    const problem = toFormProblem(error);
    expect(problem.fields).toEqual({ last_name: "String should have at least 1 character", "emails.0.email": "value is not a valid email address" });
    expect(problem.message).toBe("Please correct the 2 fields marked below.");
    expect(problem.conflict).toBeNull();
  });

  it("puts a rule's error on the field it names, without repeating the name", () => {
    const error = new ApiError({ type: "urn:lp-crm:problem:duplicate", title: "Already exists", status: 409, detail: "emails: a@x.io belongs to another contact", field: "emails" });
    expect(toFormProblem(error).fields).toEqual({ emails: "a@x.io belongs to another contact" });
  });

  it("recognizes a stale version", () => {
    const error = new ApiError({ type: "urn:lp-crm:problem:version-conflict", title: "The record changed since you read it", status: 409, current_version: 4 });
    expect(toFormProblem(error).conflict).toEqual({ currentVersion: 4 });
  });

  it("says the server was unreachable for anything else", () => {
    expect(toFormProblem(new TypeError("Failed to fetch")).message).toMatch(/could not be reached/);
  });

  it("finds a nested message and names fields for people", () => {
    expect(errorAt({ "domains.1": "bad" }, "domains")).toBe("bad");
    expect(fieldName("emails.0.email")).toBe("Emails 1 › email");
    expect(fieldName("custom_fields.fund_size")).toBe("Custom fields › fund size");
  });
});
