// Package rest serves the tool registry as a REST API under /api/v1 and describes it in an
// OpenAPI 3.1 document generated from the same registry: each tool's REST binding gives the
// route, its JSON Schemas give parameters, bodies and responses. Nothing here is per tool.
//
// Design choices: path parameters are input fields named in the route ({id}); GET and DELETE
// take the other fields from the query string, POST/PUT/PATCH from a JSON body. Request bodies
// are capped with http.MaxBytesReader (and a Content-Length check) so an oversized body is
// refused with 413 before it is read whole.
package rest
