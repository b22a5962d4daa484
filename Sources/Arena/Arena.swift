// Module Arena.
