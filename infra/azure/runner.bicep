// Resource-group part of main.bicep: the Function App and what it needs.
param location string
param namePrefix string
@secure()
param runnerSharedSecret string
param subscribeIngest bool
param awsAppSettings object
@description('Object id of the identity that publishes Defender alerts to the topic (e.g. the workflow automation Logic App); empty: none yet.')
param alertPublisherPrincipalId string = ''

var suffix = uniqueString(resourceGroup().id)
var awsSettingList = [for item in items(awsAppSettings): { name: item.key, value: string(item.value) }]
var deploymentContainer = 'app-package'
// Built-in role ids (Azure built-in roles reference).
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var keyVaultSecretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var eventGridDataSender = 'd5a91429-5739-47e2-a06b-3470a27159e7'

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${namePrefix}-logs-${suffix}'
  location: location
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 365
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${namePrefix}-insights'
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
    DisableLocalAuth: true
  }
}

// Identity-only storage for the Functions host and the deployment package: no shared keys.
resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: take('${namePrefix}st${suffix}', 24)
  location: location
  kind: 'StorageV2'
  sku: { name: 'Standard_LRS' }
  properties: {
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }
}

resource blobs 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource packages 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobs
  name: deploymentContainer
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: take('${namePrefix}-kv-${suffix}', 24)
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
    softDeleteRetentionInDays: 90
  }
}

resource runnerSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'runner-shared-secret'
  properties: {
    value: runnerSharedSecret
    contentType: 'Shared secret of the Step Functions HTTP task (header x-cordon-runner-secret)'
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${namePrefix}-plan'
  location: location
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: '${namePrefix}-runner-${suffix}'
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'SystemAssigned' }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainer}'
          authentication: { type: 'SystemAssignedIdentity' }
        }
      }
      scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 }
      runtime: { name: 'node', version: '22' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat([
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'Authorization=AAD' }
        { name: 'CORDON_RUNNER_SECRET', value: '@Microsoft.KeyVault(SecretUri=${runnerSecret.properties.secretUri})' }
        { name: 'CORDON_SUBSCRIPTION_ID', value: subscription().subscriptionId }
        { name: 'CORDON_EVENT_GRID_TOPIC', value: lifecycle.properties.endpoint }
      ], awsSettingList)
    }
  }
}

resource hostStorageAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, app.id, storageBlobDataOwner)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

resource secretAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, app.id, keyVaultSecretsUser)
  scope: runnerSecret
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', keyVaultSecretsUser)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Defender for Cloud alerts arrive through this custom topic (workflow automation or continuous export feeds it).
// A forged alert must not reach the ingest: no access keys (Entra only, the EventGrid Data Sender role
// below) and no public endpoint (publishers reach it over a private endpoint in your network).
resource alerts 'Microsoft.EventGrid/topics@2022-06-15' = {
  name: '${namePrefix}-alerts-${suffix}'
  location: location
  properties: {
    inputSchema: 'EventGridSchema'
    publicNetworkAccess: 'Disabled'
    disableLocalAuth: true
    inboundIpRules: []
  }
}

// The one identity allowed to publish alerts (the workflow automation's), scoped to this topic only.
resource alertPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(alertPublisherPrincipalId)) {
  name: guid(alerts.id, alertPublisherPrincipalId, eventGridDataSender)
  scope: alerts
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridDataSender)
    principalId: alertPublisherPrincipalId
    principalType: 'ServicePrincipal'
  }
}

resource ingestSubscription 'Microsoft.EventGrid/topics/eventSubscriptions@2022-06-15' = if (subscribeIngest) {
  parent: alerts
  name: 'cordon-ingest'
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: '${app.id}/functions/ingest'
        maxEventsPerBatch: 10
        preferredBatchSizeInKilobytes: 64
      }
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 }
  }
}

// Cordon's lifecycle events (functions/core/lifecycle.ts, infra/README.md): ticketing, paging and chat
// tools subscribe to this topic. No access keys: the Function App sends with its managed identity.
resource lifecycle 'Microsoft.EventGrid/topics@2022-06-15' = {
  name: '${namePrefix}-lifecycle-${suffix}'
  location: location
  properties: {
    inputSchema: 'EventGridSchema'
    publicNetworkAccess: 'Enabled'
    disableLocalAuth: true
  }
}

resource lifecycleSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(lifecycle.id, app.id, eventGridDataSender)
  scope: lifecycle
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridDataSender)
    principalId: app.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

output principalId string = app.identity.principalId
output actionRunnerUrl string = 'https://${app.properties.defaultHostName}/api/actions'
output alertsTopicEndpoint string = alerts.properties.endpoint
output lifecycleTopicEndpoint string = lifecycle.properties.endpoint
