package runbooks

import "lockdown/steps"

// traceLocked is the CloudTrail evidence the run's trace step found last, for the steps after it
// to judge by; the run's own (from the command line) when no trace step has found any. A trace
// step that failed says why, so verdicts can say why they rest on timestamps. Call with r.mu held.
func (r *Run) traceLocked() *steps.TraceEvidence {
	evidence := r.cfg.Env.Trace
	for _, s := range r.cfg.Runbook.Steps {
		st := r.status[s.ID]
		if st == nil || s.Action != steps.TraceActionName {
			continue
		}
		switch {
		case st.Inspection != nil:
			if found, ok := st.Inspection.Data.(*steps.TraceFindings); ok && found.Evidence != nil {
				evidence = found.Evidence
			}
		case st.State == StateFailed && st.Err != "":
			evidence = &steps.TraceEvidence{Why: st.Err}
		}
	}
	return evidence
}
