"""Pages of the practices app, one module per audience: account, home, public, enrolment, agreements, PSO people."""
