// Module StashSorter.
