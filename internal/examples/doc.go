// Package examples holds the tests that keep examples/ honest: every
// example directory must pass `terraform validate` against a local build of
// the provider, and the quickstart that `make demo` runs must apply and
// destroy cleanly against the emulator. Its tests need TF_ACC, like the
// acceptance tests, because they run the real terraform CLI.
package examples
