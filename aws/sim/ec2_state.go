package sim

// EC2Spec is the scenario's EC2 resources.
type EC2Spec struct{}

func (sp *EC2Spec) validate() error { return nil }

// ec2State holds the EC2 resources of every region.
type ec2State struct{}

func newEC2State(s *Server, spec EC2Spec) (*ec2State, error) { return &ec2State{}, nil }
