DROP TABLE cert_applications;
