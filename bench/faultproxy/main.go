// Command faultproxy serves a fault proxy (aws/wiretest) on a loopback address in front of an AWS
// endpoint — the simulator or moto — so the built binary can be measured under a named fault
// profile. On interrupt it writes the wire log: one JSON object a request.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"

	"lockdown/aws/wiretest"
)

func main() {
	target := flag.String("target", "http://127.0.0.1:4566", "the endpoint to put the faults in front of")
	addr := flag.String("addr", "127.0.0.1:4567", "loopback address to listen on")
	profile := flag.String("profile", "none", "fault profile (none, throttle-20, throttle-50, 5xx-30, 5xx-bursts, silent-region, throttle-50+silent-region)")
	wire := flag.String("wire", "", "file to write the wire log to on interrupt")
	flag.Parse()
	if err := serve(*target, *addr, *profile, *wire); err != nil {
		fmt.Fprintln(os.Stderr, "faultproxy:", err)
		os.Exit(1)
	}
}

func serve(target, addr, profile, wire string) error {
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		return fmt.Errorf("--addr %s is not a loopback address", addr)
	}
	rules, err := wiretest.ProfileNamed(profile)
	if err != nil {
		return err
	}
	p, err := wiretest.ListenProxy(addr, target, rules...)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "fault proxy %s on %s, in front of %s\n", profile, p.URL, target)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt)
	<-stop
	_ = p.Close()
	fmt.Fprintf(os.Stderr, "%d requests\n", p.Count())
	if wire == "" {
		return nil
	}
	f, err := os.Create(wire)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	for _, q := range p.Requests() {
		if err := enc.Encode(q); err != nil {
			return err
		}
	}
	return f.Close()
}
