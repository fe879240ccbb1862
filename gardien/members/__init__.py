"""The member lifecycle's pure core: the strike ladder, trust levels, application screening,
ban-evasion resemblance and the texts sent to members. No I/O: callers bring the facts."""
