package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Conversions between what the APIs answer and what Terraform shows, shared
// by every resource and data source.

// rfc3339OrNull shows a time as Terraform does, or nil as null.
func rfc3339OrNull(t *time.Time) types.String {
	if t == nil {
		return types.StringNull()
	}
	return types.StringValue(t.UTC().Format(time.RFC3339))
}

// nonNilStrings makes "none" an empty set or list rather than null, so a
// value without elements reads the same after create and after refresh.
func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// stringOrNull is "" as null: an API's absent value is no value in Terraform.
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}

// canonicalJSON re-encodes JSON with sorted keys, so the claims result does
// not change between reads because the service reordered them. Errors are
// impossible: raw was validated when the client decoded the answer, and
// values decoded from JSON always encode again.
func canonicalJSON(raw []byte) string {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber() // keeps large integers exact
	var v any
	_ = d.Decode(&v)
	return marshalClaims(v)
}

// marshalClaims encodes claims decoded from a token or an answer; encoding
// what was just decoded from JSON cannot fail.
func marshalClaims(v any) string {
	out, _ := json.Marshal(v)
	return string(out)
}

// decodeObject decodes a JSON object with numbers kept exact; nil, nil for
// empty input or JSON null, an error for anything but an object.
func decodeObject(raw json.RawMessage) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var obj map[string]any
	if err := d.Decode(&obj); err != nil {
		return nil, err
	}
	return obj, nil
}

// parseJSONObject decodes one JSON object, numbers kept exact; problem says
// what is wrong, for a diagnostic.
func parseJSONObject(raw string) (map[string]any, string) {
	d := json.NewDecoder(strings.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Sprintf("not valid JSON (%v); write a JSON object, e.g. with jsonencode({ team = \"payments\" }).", err)
	}
	if d.More() {
		return nil, "more than one JSON value; write a single JSON object."
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Sprintf("must be a JSON object such as {\"team\":\"payments\"}, got %s.", jsonKind(v))
	}
	return obj, ""
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	default:
		return "null"
	}
}

// sameJSONObject reports whether two documents are the same JSON object,
// whatever their whitespace and key order; a document that does not parse
// equals nothing.
func sameJSONObject(a, b string) bool {
	oa, pa := parseJSONObject(a)
	ob, pb := parseJSONObject(b)
	return pa == "" && pb == "" && marshalClaims(oa) == marshalClaims(ob)
}

// checkJSONObject says what is wrong with a document that should be one
// JSON object, or "".
func checkJSONObject(raw string) string {
	_, problem := parseJSONObject(raw)
	return problem
}
