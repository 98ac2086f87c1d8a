package aws

import (
	"fmt"
	"log/slog"

	"github.com/aws/smithy-go/logging"
)

// sdkLogger sends the SDK's own warnings (retries, credential fallbacks) to lockdown's log, never
// to standard output, where they would corrupt --json documents and the TUI.
type sdkLogger struct{ log *slog.Logger }

func (l sdkLogger) Logf(class logging.Classification, format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	if class == logging.Warn {
		l.log.Warn(msg, "source", "aws-sdk")
		return
	}
	l.log.Debug(msg, "source", "aws-sdk")
}

// UseLogger sends the SDK's messages to log. Call it before the first AWS call: clients made
// earlier keep the logger they were made with.
func (a *Account) UseLogger(log *slog.Logger) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.cfg.Logger = sdkLogger{log: log}
}
