// Module Desktop.
