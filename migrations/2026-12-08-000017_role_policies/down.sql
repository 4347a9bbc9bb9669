DROP TABLE role_policies;
