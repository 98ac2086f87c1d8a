package wiretest

import "net/http"

// AnswerCutShort answers with an error whose body ends before its Content-Length, then drops the
// connection: the SDK can neither read the error nor discard the rest, and says so in its own log
// ("failed to discard remaining HTTP response body").
func AnswerCutShort(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Length", "4096")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write([]byte("<ErrorResponse><Error><Code>"))
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		_ = conn.Close()
	}
}
