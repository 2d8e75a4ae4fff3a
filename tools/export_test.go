package tools

// SchemasJSON is the schemas.json this test binary embeds, for the golden
// tests to tell a stale build from a stale file.
var SchemasJSON = schemasJSON
