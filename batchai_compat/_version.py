__version__ = "0.1.0"

#: Batch AI's last REST API version (azure-mgmt-batchai 2.0.0's ``api_version``).
API_VERSION = "2018-05-01"
