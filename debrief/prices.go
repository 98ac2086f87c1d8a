package debrief

import (
	"slices"

	"lockdown/aws/sim"
)

// onDemandPerHour is the on-demand price in US dollars per hour of the instance types the
// scenarios use. Source: AWS's Amazon EC2 On-Demand Pricing page
// (https://aws.amazon.com/ec2/pricing/on-demand/), Linux, US East (N. Virginia), as published in
// 2024. A drill prices every region the same; a type missing here is named as unpriced, not guessed.
var onDemandPerHour = map[string]float64{
	"t2.micro": 0.0116, "t3.nano": 0.0052, "t3.micro": 0.0104, "t3.small": 0.0208, "t3.medium": 0.0416,
	"t3.large": 0.0832, "t3.xlarge": 0.1664,
	"m5.large": 0.096, "m5.xlarge": 0.192, "m5.2xlarge": 0.384, "m5.4xlarge": 0.768,
	"m6i.large": 0.096, "m6i.xlarge": 0.192,
	"c5.large": 0.085, "c5.xlarge": 0.17, "c5.2xlarge": 0.34, "c5.4xlarge": 0.68, "c5.9xlarge": 1.53,
	"c5.18xlarge": 3.06, "c5.24xlarge": 4.08, "c6i.large": 0.085, "c6i.xlarge": 0.17,
	"r5.large": 0.126, "r5.xlarge": 0.252, "r5.2xlarge": 0.504,
	"g4dn.xlarge": 0.526, "g4dn.2xlarge": 0.752, "g4dn.4xlarge": 1.204, "g4dn.8xlarge": 2.176,
	"g4dn.12xlarge": 3.912, "g4dn.16xlarge": 4.352,
	"g5.xlarge": 1.006, "g5.2xlarge": 1.212, "g5.4xlarge": 1.624, "g5.8xlarge": 2.448,
	"g5.12xlarge": 5.672, "g5.16xlarge": 4.096, "g5.24xlarge": 8.144, "g5.48xlarge": 16.288,
	"p3.2xlarge": 3.06, "p3.8xlarge": 12.24, "p3.16xlarge": 24.48, "p4d.24xlarge": 32.7726,
}

// instanceCost adds up the attacker's instances' hours during the drill, on the attacker's clock,
// from their launch (or the briefing) to their termination (or the end), and their price.
func instanceCost(f Facts, own *owner) (hours, cost float64, unpriced []string) {
	for _, h := range f.After {
		if h.Kind != sim.HoldingInstance || !own.attackers(h) || h.State == "stopped" {
			continue
		}
		from := h.Created
		if from.Before(f.Briefing) {
			from = f.Briefing
		}
		to := f.End
		if !h.Lasts() {
			if h.Ended.IsZero() { // gone before the drill: the scenario's terminated instances
				continue
			}
			to = h.Ended
		}
		if !to.After(from) {
			continue
		}
		hrs := to.Sub(from).Hours()
		hours += hrs
		if price, ok := onDemandPerHour[h.Type]; ok {
			cost += hrs * price
		} else if !slices.Contains(unpriced, h.Type) {
			unpriced = append(unpriced, h.Type)
		}
	}
	slices.Sort(unpriced)
	return hours, cost, unpriced
}
