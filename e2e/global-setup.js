// One server for the whole run; tests read its address and accounts from the environment.
const { startServer } = require('./server');

module.exports = async () => {
  const server = await startServer();
  process.env.HALLPASS_URL = server.url;
  process.env.HALLPASS_USERS = JSON.stringify(server.users);
  // For the tests that start one more instance of the same deployment.
  process.env.HALLPASS_SERVER_ENV = JSON.stringify(server.env);
  return server.stop;
};
