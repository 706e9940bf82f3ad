// Package clock is the supervisor's seam for wall time: the real clock, and
// a fake one that tests advance by hand, so back-off, watchdog feeding and
// LED patterns are tested without sleeping.
//
// Place in the dependency order: platform leaf under firmware/; imports
// only the standard library.
package clock
