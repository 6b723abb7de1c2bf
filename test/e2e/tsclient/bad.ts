// Must NOT type-check: proves the generated types constrain requests (the Go test expects tsc to fail here).
import type { paths } from "./kycd.js";
type CreateBody = NonNullable<paths["/api/v1/verifications"]["post"]["requestBody"]>["content"]["application/json"];
export const wrongCheck: CreateBody = { checks: ["palm_reading"] };
export const wrongType: CreateBody = { expires_in: "soon" };
export const unknownField: CreateBody = { colour: "red" };
