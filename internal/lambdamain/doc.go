// Package lambdamain is what a function's process in Lambda sets up besides
// its handler: the garbage collector tuned to the function's memory
// (TuneGC). functions.Function.Start calls it at cold start; the settings
// themselves are read through internal/envconfig, and the handler is built
// by internal/functions.
package lambdamain
