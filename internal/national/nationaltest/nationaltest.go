// Package nationaltest is a fake national platform on a local httptest server, for tests.
package nationaltest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"

	"examcert/internal/national"
)

// Server is the fake platform: it answers /outgoing from the certificates it was given, or fails with 503 while
// Failing is set.
type Server struct {
	*httptest.Server

	mu      sync.Mutex
	certs   []national.OutgoingCertificate
	failing bool
	calls   int
}

// New starts a fake platform holding certs; it stops when the test's Close runs.
func New(certs ...national.OutgoingCertificate) *Server {
	s := &Server{certs: certs}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Add puts more outgoing certificates on the platform.
func (s *Server) Add(certs ...national.OutgoingCertificate) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.certs = append(s.certs, certs...)
}

// SetFailing makes the platform answer 503 (true) or work again (false).
func (s *Server) SetFailing(f bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = f
}

// Calls is how many /outgoing requests it answered.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.URL.Path != "/outgoing" || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	s.calls++
	if s.failing {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	id := r.URL.Query().Get("id_number")
	ans := national.Answer{Certificates: []national.Wire{}}
	for _, c := range s.certs {
		if c.IDNumber == id {
			ans.Certificates = append(ans.Certificates, national.Encode(c))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(ans)
}
