package client

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestClerkNowFollowsTheServiceDateHeader(t *testing.T) {
	t.Parallel()
	ahead := time.Now().Add(2 * time.Hour)
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", ahead.UTC().Format(http.TimeFormat))
		reply(http.StatusOK, `{"m2m_tokens":[],"total_count":0}`)(w, r)
	})
	c := newTestClient(t, srv.URL)
	if _, known := c.ClerkNow(); known {
		t.Fatal("clock known before any answer")
	}
	if _, err := c.ListM2MTokens(context.Background(), testSecretKey, ListM2MTokensRequest{Subject: testMachineID}); err != nil {
		t.Fatal(err)
	}
	now, known := c.ClerkNow()
	if !known {
		t.Fatal("clock not learned from the answer")
	}
	// Date has one-second resolution.
	if d := now.Sub(ahead); d < -2*time.Second || d > 2*time.Second {
		t.Fatalf("ClerkNow = %s, want about %s", now, ahead)
	}
}
