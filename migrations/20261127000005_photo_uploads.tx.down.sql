DROP TABLE photo_uploads;
