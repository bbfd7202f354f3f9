/** RFC 9457 problem details as crm-api sends them, with the validation extension. */
export interface FieldError {
  field: string;
  location: string;
  message: string;
  type: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** A failed request: its status and the problem the server explained it with. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.detail ?? problem.title);
    this.name = "ApiError";
    this.status = problem.status;
    this.problem = problem;
  }

  /** The server's message for each field of a form, by the field's dotted name. */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const error of this.problem.errors ?? []) {
      out[error.field] ??= error.message;
    }
    return out;
  }
}

export function isProblem(value: unknown): value is Problem {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Problem).title === "string" &&
    typeof (value as Problem).status === "number"
  );
}

/** The problem a failed response carries, or one made up from its status line. */
export function toApiError(status: number, body: unknown, statusText = ""): ApiError {
  if (isProblem(body)) return new ApiError(body);
  return new ApiError({ type: "about:blank", title: statusText || `HTTP ${status}`, status });
}
