package aws

import (
	"context"
	"time"
)

// IAMEvents returns the events of IAM's event history with any of names since since. IAM is a
// global service: CloudTrail records its events in us-east-1. An unread history is an error.
func (r *ReadOnly) IAMEvents(ctx context.Context, names []string, since time.Time) ([]TrailEvent, error) {
	events, unread := r.a.eventsNamed(ctx, []RegionRead{{Region: "us-east-1", Status: RegionOK}}, names, since)
	if len(unread) > 0 {
		u := unread[0]
		return events, &historyUnreadError{region: "us-east-1", code: u.Code, message: u.Message}
	}
	return events, nil
}

type historyUnreadError struct{ region, code, message string }

func (e *historyUnreadError) Error() string {
	return "CloudTrail's event history could not be read in " + e.region + ": " + e.code + " " + e.message
}

// RequestField is a top-level string of the event's requestParameters ("" when absent).
func (e TrailEvent) RequestField(name string) string {
	rec, err := ParseTrailRecord(string(e.Record))
	if err != nil {
		return ""
	}
	return field(rec.Request(), name)
}

// ResponseField is a string of the event's responseElements, by path.
func (e TrailEvent) ResponseField(path ...string) string {
	rec, err := ParseTrailRecord(string(e.Record))
	if err != nil {
		return ""
	}
	return field(rec.Response(), path...)
}
