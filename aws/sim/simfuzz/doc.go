// Package simfuzz holds the fuzz targets of the simulator's scenario loader and request parser.
// They live apart from the simulator's own tests, which use the AWS SDK, so that a fuzzing build
// (instrumenting every package it links) does not have to instrument the SDK's EC2 client.
package simfuzz
