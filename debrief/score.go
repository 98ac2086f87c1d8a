package debrief

import "time"

// Score is the response against the scenario's par times: each milestone with a par is worth its
// weight in full at or under par, less in proportion beyond it, nothing when not reached; every
// collateral change costs CollateralPenalty. Scaled to 100 over the milestones that have a par.
type Score struct {
	Points, Of int
	// Parts are each milestone's points, in the order of the debrief's milestones.
	Parts []Part
	// Penalty is what collateral took away.
	Penalty int
	// Scored is false when the scenario gives no par times.
	Scored bool
}

// Part is one milestone's share of the score.
type Part struct {
	Points, Of int
}

// CollateralPenalty is what each legitimate resource changed costs.
const CollateralPenalty = 10

// weights of the milestones, in the debrief's order: the key, the instances, the verification.
var weights = []int{30, 30, 40}

func score(ms []Milestone, collateral int) Score {
	s := Score{Of: 100}
	total := 0
	for i, m := range ms {
		if m.Par > 0 && i < len(weights) {
			total += weights[i]
		}
	}
	if total == 0 {
		s.Parts = make([]Part, len(ms))
		return s
	}
	s.Scored = true
	var earned float64
	for i, m := range ms {
		if m.Par <= 0 || i >= len(weights) {
			s.Parts = append(s.Parts, Part{})
			continue
		}
		of := float64(weights[i]) * 100 / float64(total)
		got := 0.0
		if m.Reached {
			got = of * parShare(m.At, m.Par)
		}
		s.Parts = append(s.Parts, Part{Points: int(got + 0.5), Of: int(of + 0.5)})
		earned += got
	}
	s.Penalty = collateral * CollateralPenalty
	s.Points = max(0, int(earned+0.5)-s.Penalty)
	return s
}

// parShare is 1 at or under par and par/at beyond it: twice the par time earns half.
func parShare(at, par time.Duration) float64 {
	if at <= par {
		return 1
	}
	return float64(par) / float64(at)
}
