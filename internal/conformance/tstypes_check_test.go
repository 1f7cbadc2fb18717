package conformance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestTSTypes checks the declaration reader on a small package laid out as
// stytch-node's is: a client class whose properties lead to a method, the
// answer types spread over files that import each other, a name both an
// interface and a class, and the member forms the real declarations use.
func TestTSTypes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, src string) {
		t.Helper()
		path := filepath.Join(dir, "types", "lib", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("b2b/client.d.ts", `import { BaseClient } from "../shared/client";
import { Things } from "../b2c/things";
export declare class B2BClient extends BaseClient {
    protected jwtConfig: JwtConfig;
    things: Things;
    constructor(config: ClientConfig);
}`)
	write("b2c/things.d.ts", `import { Thing as Item, Meta } from "./thing";
/** A comment with a "quote" and a // slash. */
export interface ThingsGetResponse {
    request_id: string; // trailing comment
    thing: Item;
    items: Item[];
    meta?: Meta;
    status_code: number;
    kind: "a" | "b" | string;
    maybe: string | null;
    labels: Record<string, string>;
    inline: { x: number; y?: boolean };
    "quoted-name"?: Array<number>;
}
interface Private {
    p: boolean;
}
export interface WithPrivate extends ThingsGetResponse {
    extra: Private;
}
export declare class Things {
    private fetchConfig;
    get(params: {
        id: string;
    }, options?: {
        authorization?: Authorization;
    }): Promise<ThingsGetResponse>;
    other(x: string): Promise<WithPrivate>;
}`)
	write("b2c/thing.d.ts", `export interface Thing {
    id: string;
    tags: string[];
    custom?: Record<string, any>;
}
export declare class Thing {
    constructor();
}
export type Meta = {
    total: number;
    next_cursor?: string;
};`)
	ts := newTSTypes(dir)
	f, typ, err := ts.returnType("b2b/client", "B2BClient", "things.get")
	if err != nil || typ != "ThingsGetResponse" {
		t.Fatalf("return type of things.get: %q, %v", typ, err)
	}
	good := `{"request_id": "r", "thing": {"id": "t", "tags": ["a"], "unknown": 1}, "items": [], "status_code": 200,
		"kind": "c", "maybe": null, "labels": {"k": "v"}, "inline": {"x": 1}, "meta": {"total": 1, "next_cursor": null}}`
	for name, tc := range map[string]struct {
		patch func(map[string]any)
		want  []string
	}{
		"fits":                      {func(map[string]any) {}, nil},
		"required missing":          {func(v map[string]any) { delete(v, "request_id") }, []string{"answer.request_id: missing"}},
		"nested required missing":   {func(v map[string]any) { delete(v["thing"].(map[string]any), "tags") }, []string{"answer.thing.tags: missing"}},
		"wrong primitive":           {func(v map[string]any) { v["status_code"] = "200" }, []string{`answer.status_code: "200", want number`}},
		"array element":             {func(v map[string]any) { v["items"] = []any{map[string]any{"id": 1, "tags": []any{}}} }, []string{"answer.items[0].id: 1, want string"}},
		"null where not allowed":    {func(v map[string]any) { v["kind"] = nil }, []string{"answer.kind: null fits none of"}},
		"record value":              {func(v map[string]any) { v["labels"] = map[string]any{"k": 1} }, []string{"answer.labels.k: 1, want string"}},
		"inline object":             {func(v map[string]any) { v["inline"] = map[string]any{"y": "no"} }, []string{"answer.inline.x: missing", "answer.inline.y: \"no\", want boolean"}},
		"optional quoted name":      {func(v map[string]any) { v["quoted-name"] = []any{"x"} }, []string{`answer.quoted-name[0]: "x", want number`}},
		"optional null is accepted": {func(v map[string]any) { v["meta"] = nil }, nil},
		"alias member":              {func(v map[string]any) { v["meta"] = map[string]any{} }, []string{"answer.meta.total: missing"}},
	} {
		var v map[string]any
		if err := json.Unmarshal([]byte(good), &v); err != nil {
			t.Fatal(err)
		}
		tc.patch(v)
		got := ts.check(f, typ, v)
		if len(got) != len(tc.want) {
			t.Errorf("%s: findings %q, want %q", name, got, tc.want)
			continue
		}
		slices.Sort(got)
		for i, w := range tc.want {
			if !strings.HasPrefix(got[i], w) {
				t.Errorf("%s: finding %q, want it to start %q", name, got[i], w)
			}
		}
	}

	f, typ, err = ts.returnType("b2b/client", "B2BClient", "things.other")
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(good), &v); err != nil {
		t.Fatal(err)
	}
	if got := ts.check(f, typ, v); len(got) != 1 || !strings.HasPrefix(got[0], "answer.extra: missing") {
		t.Errorf("an interface extending another, with a member of an unexported type: %q", got)
	}
	for _, method := range []string{"things.missing", "nothing.get", "things.get.deeper"} {
		if _, _, err := ts.returnType("b2b/client", "B2BClient", method); err == nil {
			t.Errorf("%s resolved", method)
		}
	}
	if len(ts.unresolved) != 0 {
		t.Errorf("unresolved names: %v", ts.unresolved)
	}
}
