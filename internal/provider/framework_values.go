package provider

import (
	"bytes"
	"encoding/json"
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
