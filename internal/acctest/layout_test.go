package acctest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The acceptance tests' packages, whose tests this file accounts for.
var accPackages = []string{"../provider", "../e2e"}

// accTest is one top-level test function and what it reaches for.
type accTest struct {
	pkg, name string
	target    bool // makes a Target: newTarget, newSerialTarget, newTargetRun
	emulator  bool // starts an emulator directly
	// needs calls what only an emulator-only test may: startEmulator,
	// newRun, newFleet, StartEmulator, RequireEmulator.
	needs bool
}

func accTests(t *testing.T) []accTest {
	t.Helper()
	var out []accTest
	for _, dir := range accPackages {
		files, err := filepath.Glob(filepath.Join(dir, "*_test.go"))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		for _, f := range files {
			file, err := parser.ParseFile(fset, f, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range file.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Recv != nil || !strings.HasPrefix(fd.Name.Name, "Test") || fd.Name.Name == "TestMain" {
					continue
				}
				at := accTest{pkg: filepath.Base(dir), name: fd.Name.Name}
				ast.Inspect(fd.Body, func(n ast.Node) bool {
					call, ok := n.(*ast.CallExpr)
					if !ok {
						return true
					}
					switch fn := call.Fun.(type) {
					case *ast.Ident:
						at.target = at.target || fn.Name == "newTarget" || fn.Name == "newSerialTarget" || fn.Name == "newTargetRun"
						at.needs = at.needs || fn.Name == "startEmulator" || fn.Name == "newRun" || fn.Name == "newFleet"
					case *ast.SelectorExpr:
						if x, ok := fn.X.(*ast.Ident); ok && x.Name == "emulator" && fn.Sel.Name == "Start" {
							at.emulator = true
						}
						if x, ok := fn.X.(*ast.Ident); ok && x.Name == "acctest" && (fn.Sel.Name == "StartEmulator" || fn.Sel.Name == "RequireEmulator") {
							at.needs = true
						}
					}
					return true
				})
				out = append(out, at)
			}
		}
	}
	return out
}

// Every test of the acceptance packages is live-capable (it makes a
// Target and nothing else of the services), emulator-only (recorded, with
// its reason, in emulatorOnly), or touches no service at all; none starts
// an emulator but through StartEmulator; the table names only tests that
// exist and none that make a Target. CONTRIBUTING.md states the counts.
func TestEveryAcceptanceTestIsLiveCapableOrRecorded(t *testing.T) {
	tests := accTests(t)
	byName := map[string]accTest{}
	live, only, free := 0, 0, 0
	for _, at := range tests {
		if prev, dup := byName[at.name]; dup {
			t.Errorf("%s is a test of both %s and %s: the table names tests by name alone", at.name, prev.pkg, at.pkg)
		}
		byName[at.name] = at
		_, recorded := emulatorOnly[at.name]
		switch {
		case at.emulator:
			t.Errorf("%s/%s calls emulator.Start: an emulator-only test gets its emulator from acctest.StartEmulator", at.pkg, at.name)
		case at.target && recorded:
			t.Errorf("%s/%s makes a Target but is recorded as emulator-only", at.pkg, at.name)
		case at.target && at.needs:
			t.Errorf("%s/%s makes a Target and also reaches for the emulator's Go API", at.pkg, at.name)
		case at.needs && !recorded:
			t.Errorf("%s/%s starts an emulator with its Go API but is not recorded in emulatorOnly", at.pkg, at.name)
		case at.target:
			live++
		case recorded:
			only++
		default:
			free++
		}
	}
	for name, why := range emulatorOnly {
		if _, ok := byName[name]; !ok {
			t.Errorf("emulatorOnly records %s, which is no test of %v", name, accPackages)
		}
		if strings.TrimSpace(why) == "" {
			t.Errorf("emulatorOnly records %s without a reason", name)
		}
	}
	counts := fmt.Sprintf("%d live-capable tests, %d emulator-only tests", live, only)
	t.Logf("%s, and %d tests that use no service", counts, free)
	for _, pkg := range []string{"provider", "e2e"} {
		var l, acc, unit int
		for _, at := range tests {
			if _, ok := emulatorOnly[at.name]; at.pkg != pkg || (!at.target && !ok) {
				continue
			}
			switch {
			case at.target:
				l++
			case strings.HasPrefix(at.name, "TestAcc") || pkg == "e2e":
				acc++
			default:
				unit++
			}
		}
		t.Logf("internal/%s: %d live-capable, %d emulator-only acceptance tests, %d emulator-only tests of the provider's internals", pkg, l, acc, unit)
	}
	b, err := os.ReadFile("../../CONTRIBUTING.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(regexp.MustCompile(`\s+`).ReplaceAllString(string(b), " "), counts) {
		t.Errorf("CONTRIBUTING.md does not say %q", counts)
	}
}

// The variables of a live run are one list: Vars, which CONTRIBUTING.md
// documents each of, and make's LIVE_VARS, the required ones.
func TestLiveVariablesAreOneList(t *testing.T) {
	doc, err := os.ReadFile("../../CONTRIBUTING.md")
	if err != nil {
		t.Fatal(err)
	}
	mk, err := os.ReadFile("../../GNUmakefile")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^LIVE_VARS := ((?:.*\\\n)*.*)$`).FindSubmatch(mk)
	if m == nil {
		t.Fatal("GNUmakefile has no LIVE_VARS")
	}
	makeVars := strings.Fields(strings.ReplaceAll(string(m[1]), `\`, " "))
	var required []string
	for _, v := range Vars {
		if !strings.Contains(string(doc), "| `"+v.Name+"` |") {
			t.Errorf("CONTRIBUTING.md documents no %s", v.Name)
		}
		if !v.Optional {
			required = append(required, v.Name)
		}
	}
	if strings.Join(required, " ") != strings.Join(makeVars, " ") {
		t.Errorf("LIVE_VARS is %v, want the required Vars %v", makeVars, required)
	}
}
