// Package stepfunctions is breachflow's local AWS Step Functions service: it
// stores state machines, runs their executions in process with package asl,
// records AWS-shaped execution histories, hands out task tokens and, with a
// persistence directory, resumes waiting executions after a restart.
//
// The HTTP layer (package sfnapi) maps the AWS JSON 1.0 protocol onto the
// Service methods; errors are *APIError with AWS's error codes.
package stepfunctions
