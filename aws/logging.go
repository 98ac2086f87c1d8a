package aws

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/aws/smithy-go/logging"
)

// runLog is where the SDK's own messages and lockdown's retries go: the run's log file, never the
// operator's terminal, where they would corrupt --json documents and the TUI. Every client holds
// it from the start, so the log can be chosen after the first call (a session opens its log file
// once the identity is confirmed) and still receive every client's messages.
type runLog struct{ to atomic.Pointer[slog.Logger] }

func newRunLog(log *slog.Logger) *runLog {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l := &runLog{}
	l.to.Store(log)
	return l
}

func (l *runLog) logger() *slog.Logger { return l.to.Load() }

// event records a retry, a wait or a give-up.
func (l *runLog) event(e CallEvent) {
	level := slog.LevelInfo
	if e.Kind == EventGivenUp {
		level = slog.LevelWarn
	}
	l.logger().Log(context.Background(), level, "aws "+string(e.Kind), "service", e.Service, "region", e.Region, "operation", e.Operation,
		"retry", e.Retry, "wait", e.Wait, "rate", e.Rate, "cause", e.Cause)
}

// sdkLogger hands the SDK's warnings (retries, credential fallbacks, response bodies it could
// not discard) to the run's log.
type sdkLogger struct{ log *runLog }

func (l sdkLogger) Logf(class logging.Classification, format string, v ...any) {
	msg := fmt.Sprintf(format, v...)
	if class == logging.Warn {
		l.log.logger().Warn(msg, "source", "aws-sdk")
		return
	}
	l.log.logger().Debug(msg, "source", "aws-sdk")
}

// UseLogger sends the SDK's messages and lockdown's record of retries to log, from every client,
// including those made before.
func (a *Account) UseLogger(log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a.policy.log.to.Store(log)
}
