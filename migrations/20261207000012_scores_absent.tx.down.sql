DROP INDEX scores_absent;
